job {{ .job.name | quote }} {
  region      = {{ .region | default "global" | quote }}
  datacenters = {{ .job.datacenters | toJson }}
  group "{{ .job.name }}" {
    count = {{ .job.count }}
{{- range $i, $p := .job.ports }}
    port "p{{ $i }}" { static = {{ $p }} }
{{- end }}
    task "main" {
      config { image = "{{ printf "%s:%s" .job.image .job.tag }}" }
      env {
{{- range $k, $v := .job.env }}
        {{ $k }} = {{ $v | upper | quote }}
{{- end }}
      }
      meta = {{ dict "id" (.job.name | sha256sum | trunc 8) "b64" (b64enc "hi") | toJson }}
{{ list "a" "b" "c" | join "," | indent 6 }}
      mode = {{ ternary "big" "small" (gt (int .job.count) 2) }}
      words = {{ "  Hello World  " | trim | lower | replace " " "_" | quote }}
{{- if and .job.tags (not .disabled) }}
      tags = [{{ range $i, $t := sortAlpha .job.tags }}{{ if $i }}, {{ end }}{{ $t | quote }}{{ end }}]
{{- end }}
{{- with .job.resources }}
      resources { cpu = {{ .cpu }} memory = {{ .memory | default 256 }} }
{{- end }}
    }
  }
}
