app "web" {
  build { use = "noop" }
}
