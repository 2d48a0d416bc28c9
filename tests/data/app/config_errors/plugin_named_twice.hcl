app "web" {
  build {
    use = "oci"
    use "noop" {}
  }
  deploy { use = "noop" }
}
