app "web" {
  build { use = "ocii" }
  deploy { use = "local" }
}
