app "web" {
  build { use = "oci" }
  registry {
    use        = "registry"
    repository = "demo/web"
  }
  deploy { use = "local" }
}
