# Folded constants and references, one per line, for the differential test.
arith    = 1 + 2 * 3 - 4 / 2 % 3
neg      = -5 + -(3)
cmp      = 1 < 2 && 2 >= 2 || !true
eq       = "1" == 1
cond     = true ? 1 : "one"
tuple    = [1, "two", true, null, [3], { four = 4 }]
object   = { a = 1, "b c" = 2, (local.k) = 3, true = 4 }
for_list = [for i, v in ["a", "b"] : "${i}-${v}" if v != "c"]
for_map  = { for k, v in { x = 1, y = 2 } : v => k }
grouped  = { for s in ["a", "ab", "b"] : substr(s, 0, 1) => s... }
splat    = var.list[*].id
legacy   = aws_instance.web.*.private_ip
legacy_i = aws_instance.web.0.id
index    = var.map["key"][0].value
dynidx   = var.map[local.key]
call     = concat(var.a, [for x in var.b : x.id]...)
nested   = lookup(var.m, "k", try(local.default, null))
paren    = (var.a + 1) * 2
tmpl     = "prefix-${var.env}-%{ if var.on }on%{ else }off%{ endif }-suffix"
strip    = "a ${~ "b" ~} c %{~ for x in [1, 2] ~} ${x} %{~ endfor ~} d"
escapes  = "tab\there \"quoted\" $${literal} %%{literal} \u00e9 \U0001F600"
heredoc  = <<EOT
  keep ${var.x} indentation
  EOT
flush    = <<-EOT
    one
      two ${var.y}
    three
  EOT
relative = func().attr[0]
