app "web" {
  build { use = "oci" }
  deploy { use = "oci" }
}
