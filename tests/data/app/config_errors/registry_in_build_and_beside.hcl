app "web" {
  build {
    use "oci" {}
    registry {
      use "registry" {
        address = "127.0.0.1:5000"
      }
    }
  }
  registry {
    use     = "registry"
    address = "127.0.0.1:5000"
  }
  deploy { use = "local" }
}
