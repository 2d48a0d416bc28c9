app "web" {
  pth = "."
  build { use = "noop" }
  deploy { use = "noop" }
}
