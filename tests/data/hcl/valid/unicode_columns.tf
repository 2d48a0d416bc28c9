a = "👩‍👩‍👧" 
b = "año"
c = "é́x"
