app "web" {
  build {
    use       = "oci"
    entrypont = ["python3", "server.py"]
  }
  deploy { use = "local" }
}
