app "web" {
  build {
    use = "oci"
    tag = uper("v1")
  }
  deploy { use = "local" }
}
