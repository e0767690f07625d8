{{/*
Names, labels and the small computations every template shares.
*/}}

{{- define "lookout.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of one component's objects: <fullname>-<component>. */}}
{{- define "lookout.name" -}}
{{- printf "%s-%s" (include "lookout.fullname" .root) .component -}}
{{- end -}}

{{- define "lookout.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "lookout.selectorLabels" . }}
{{- end -}}

{{- define "lookout.selectorLabels" -}}
app.kubernetes.io/name: lookout
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The samplers' headless Service: the k8s resolver watches its endpoints, the StatefulSet names its pods by it. */}}
{{- define "lookout.samplerService" -}}
{{- include "lookout.name" (dict "root" . "component" "sampler") -}}
{{- end -}}

{{/* Cluster DNS name of a component's Service. */}}
{{- define "lookout.host" -}}
{{- printf "%s.%s.svc" (include "lookout.name" .) .root.Release.Namespace -}}
{{- end -}}

{{/*
A memory quantity ("512Mi", "2Gi") as whole MiB. Only Mi and Gi are accepted: the collectors' GOMEMLIMIT and memory
limiter are computed from it, and a decimal unit would silently round.
*/}}
{{- define "lookout.mebibytes" -}}
{{- $q := toString . -}}
{{- if regexMatch "^[0-9]+Mi$" $q -}}
{{- trimSuffix "Mi" $q -}}
{{- else if regexMatch "^[0-9]+Gi$" $q -}}
{{- mul (trimSuffix "Gi" $q | atoi) 1024 -}}
{{- else -}}
{{- fail (printf "memory limit %q: write it in Mi or Gi (e.g. 512Mi), the collectors' memory settings are computed from it" $q) -}}
{{- end -}}
{{- end -}}

{{/*
The Go and memory-limiter settings of a collector, from its container's memory limit, in the proportions the native
stack and compose use for their 512 MiB budget (docs/pipeline.md): GOMEMLIMIT at 25/32 of the limit (400 MiB of 512)
so the runtime collects garbage before the limiter counts it, and the limiter's limit_mib at 225/256 (450 of 512;
its soft limit is 50 MiB below, gateway.yaml's spike_limit_mib).
*/}}
{{- define "lookout.collectorMemoryEnv" -}}
{{- $mib := include "lookout.mebibytes" .resources.limits.memory | atoi -}}
{{- if lt $mib 256 -}}
{{- fail (printf "%s: a memory limit of %d MiB leaves the memory limiter no room; give at least 256Mi" .component $mib) -}}
{{- end -}}
- name: GOMEMLIMIT
  value: {{ printf "%dMiB" (div (mul $mib 25) 32) | quote }}
- name: LOOKOUT_COLLECTOR_MEMORY_LIMIT_MIB
  value: {{ div (mul $mib 225) 256 | quote }}
{{- end -}}

{{/* An environment variable from a key of the credentials Secret. */}}
{{- define "lookout.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.credentials.existingSecret }}
      key: {{ index .root.Values.credentials.keys .key }}
{{- end -}}

{{/* The restrictive security context of every container. */}}
{{- define "lookout.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "lookout.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Fills the ${NAME} placeholders of a repository template (prometheus/prometheus.yml, alerts/alertmanager.yml), as
`lookout render` does for the native stack and compose: every placeholder must have a value, and one left unfilled
stops the render naming it.
*/}}
{{- define "lookout.renderPlaceholders" -}}
{{- $text := .text -}}
{{- range $name, $value := .values -}}
{{- $text = replace (printf "${%s}" $name) (toString $value) $text -}}
{{- end -}}
{{- $left := regexFindAll "\\$\\{[A-Z][A-Z0-9_]*\\}" $text -1 -}}
{{- if $left -}}
{{- fail (printf "%s: no value for %s" .file (join ", " (uniq $left))) -}}
{{- end -}}
{{- $text -}}
{{- end -}}

{{/* The TLS Secrets' mount: ca.crt, tls.crt and tls.key of a kubernetes.io/tls Secret with its CA. */}}
{{- define "lookout.tlsVolume" -}}
- name: {{ .name }}
  secret:
    secretName: {{ .secret }}
    defaultMode: 0440
{{- end -}}
