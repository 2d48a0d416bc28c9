a = 1 “quoted”
