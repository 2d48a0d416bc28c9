terraform {
  required_version = ">= 1.5"
}

resource "aws_instance" "web" {
  count = 2
  ami   = data.aws_ami.ubuntu.id

  dynamic "ebs_block_device" {
    for_each = var.disks
    content {
      device_name = ebs_block_device.value.name
    }
  }

  lifecycle { ignore_changes = [tags] }
  tags = merge(var.tags, { Name = "web-${count.index}" })
}

unlabeled_one_line {}
ident_label x { y = 1 }
/* block comment */ spaced "a" "b" {
  // line comment
  z = 1 # trailing
}
