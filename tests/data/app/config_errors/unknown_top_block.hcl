project = "demo"
aap "web" {
}
