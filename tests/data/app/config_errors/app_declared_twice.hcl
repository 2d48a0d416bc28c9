app "web" {
  build { use = "noop" }
  deploy { use = "noop" }
}
app "web" {
  build { use = "noop" }
  deploy { use = "noop" }
}
