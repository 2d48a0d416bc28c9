variable "x" {
  default = 
}
