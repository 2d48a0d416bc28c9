app "web" {
  build {
    use        = "oci"
    entrypoint = "python3 server.py"
  }
  deploy { use = "local" }
}
