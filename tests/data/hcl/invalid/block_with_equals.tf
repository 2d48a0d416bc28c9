block = {
}
block "x" = {}
