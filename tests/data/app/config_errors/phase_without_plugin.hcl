app "web" {
  build {
    entrypoint = ["./server"]
  }
  deploy { use = "noop" }
}
