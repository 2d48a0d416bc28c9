# A tiny HTTP server taken through strata app's whole lifecycle: an OCI image built from ./app
# without a daemon, pushed to a registry, run as a local process. With a registry on
# 127.0.0.1:5000 (see README.md):
#   strata app up       build -> push -> deploy -> release
#   curl http://127.0.0.1:8080/
#   strata app status   what runs, and whether it answers
#   strata app destroy  stops it
project = "hello"

variable "registry" {
  type    = string
  default = "127.0.0.1:5000"
  env     = ["HELLO_REGISTRY"]
}

variable "port" {
  type    = number
  default = 8080
  env     = ["HELLO_PORT"]
}

# Sensitive: shown as (sensitive) in every output and record of strata's.
variable "api_token" {
  type      = string
  default   = "change-me"
  sensitive = true
  env       = ["HELLO_API_TOKEN"]
}

app "hello" {
  path   = "./app"
  labels = { "org.opencontainers.image.title" = "hello" }

  build {
    use        = "oci"
    entrypoint = ["python3", "server.py"]
    env        = { API_TOKEN = var.api_token }
  }

  registry {
    use        = "registry"
    address    = var.registry
    repository = "examples/hello"
    tag        = "v1"
    insecure   = true # plain http: a registry on this machine
  }

  deploy {
    use = "local"
  }

  config {
    env           = { GREETING = "hello from strata" }
    internal_port = var.port
  }
}
