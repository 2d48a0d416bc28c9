app "web" {
  build {
    use "oci" {}
  }
  deploy {
    use "local" {
      comand = ["./server"]
    }
  }
}
