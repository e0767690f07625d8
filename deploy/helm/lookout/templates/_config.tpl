{{/*
The values of the ${NAME} placeholders of prometheus/prometheus.yml and alerts/alertmanager.yml in the cluster: the
same names `lookout render` fills for the native stack and compose, with Service addresses and mounted files.
*/}}

{{/* Whether the chart runs its own Prometheus / Alertmanager (not in operator mode, and not when disabled). */}}
{{- define "lookout.ownPrometheus" -}}
{{- if and .Values.prometheus.enabled (not .Values.prometheusOperator.enabled) }}true{{ end -}}
{{- end -}}
{{- define "lookout.ownAlertmanager" -}}
{{- if and .Values.alertmanager.enabled (not .Values.prometheusOperator.enabled) }}true{{ end -}}
{{- end -}}

{{/* host:port of the Prometheus and Alertmanager the aggregator and Grafana use: the chart's, or the ones in their place. */}}
{{- define "lookout.prometheusAddress" -}}
{{- if include "lookout.ownPrometheus" . -}}
{{- printf "%s:9090" (include "lookout.host" (dict "root" . "component" "prometheus")) -}}
{{- else -}}
{{- .Values.prometheusOperator.prometheusAddress -}}
{{- end -}}
{{- end -}}
{{- define "lookout.alertmanagerAddress" -}}
{{- if include "lookout.ownAlertmanager" . -}}
{{- printf "%s:9093" (include "lookout.host" (dict "root" . "component" "alertmanager")) -}}
{{- else -}}
{{- .Values.prometheusOperator.alertmanagerAddress -}}
{{- end -}}
{{- end -}}

{{/* The samplers' remote-write URL: remoteWrite.url, or the chart's own Prometheus. */}}
{{- define "lookout.remoteWriteUrl" -}}
{{- if .Values.remoteWrite.url -}}
{{- .Values.remoteWrite.url -}}
{{- else if include "lookout.ownPrometheus" . -}}
{{- printf "http://%s:9090/api/v1/write" (include "lookout.host" (dict "root" . "component" "prometheus")) -}}
{{- else -}}
{{- fail "remoteWrite.url: the chart's Prometheus is not deployed (prometheusOperator.enabled or prometheus.enabled false), so name the store the samplers remote-write span metrics to" -}}
{{- end -}}
{{- end -}}

{{- define "lookout.credentialsDir" -}}/etc/lookout/credentials{{- end -}}

{{- define "lookout.credentialFile" -}}
{{- printf "%s/%s" (include "lookout.credentialsDir" .root) (index .root.Values.credentials.keys .key) -}}
{{- end -}}

{{- define "lookout.prometheusValues" -}}
{{- $host := dict -}}
{{- range list "prometheus" "alertmanager" "aggregator" "loadbalancer" "sampler" -}}
{{- $_ := set $host . (include "lookout.host" (dict "root" $ "component" .)) -}}
{{- end -}}
{{- $samplers := list -}}
{{- range $i := until (int .Values.sampler.replicas) -}}
{{- $samplers = append $samplers (printf "%s-%d.%s:8888" (include "lookout.name" (dict "root" $ "component" "sampler")) $i $host.sampler) -}}
{{- end -}}
{{- dict
  "LOOKOUT_STACK_NAME" .Values.prometheus.stackName
  "LOOKOUT_ALERT_NOTIFY" .Values.alertmanager.notify
  "LOOKOUT_SENTINEL" (ternary "on" "off" .Values.alertmanager.sentinel.enabled)
  "LOOKOUT_RULES_DIR" "/etc/prometheus/rules"
  "LOOKOUT_WEB_PASSWORD_FILE" (include "lookout.credentialFile" (dict "root" . "key" "webPassword"))
  "LOOKOUT_METRICS_TOKEN_FILE" (include "lookout.credentialFile" (dict "root" . "key" "metricsToken"))
  "LOOKOUT_PROMETHEUS_ADDR" (printf "%s:9090" $host.prometheus)
  "LOOKOUT_ALERTMANAGER_ADDR" (printf "%s:9093" $host.alertmanager)
  "LOOKOUT_AGGREGATOR_ADDR" (printf "%s:8080" $host.aggregator)
  "LOOKOUT_COLLECTOR_METRICS_ADDR" (printf "%s:8888" $host.loadbalancer)
  "LOOKOUT_COLLECTOR_SAMPLER_METRICS_ADDRS" (toJson $samplers)
  "LOOKOUT_NODE_EXPORTER_ADDR" .Values.targets.nodeExporter
  "LOOKOUT_POSTGRES_EXPORTER_ADDR" .Values.targets.postgresExporter
  "LOOKOUT_REDIS_EXPORTER_ADDR" .Values.targets.redisExporter
  "LOOKOUT_AUTOMATRIX_ADDR" .Values.targets.automatrix
  "LOOKOUT_RELAYCORE_ADDR" .Values.targets.relaycore
  "LOOKOUT_NEUROWEAVER_ADDR" .Values.targets.neuroweaver
  "LOOKOUT_TLS_CA_FILE" "/etc/lookout/tls/ca.crt"
  "LOOKOUT_TLS_CLIENT_CERT_FILE" "/etc/lookout/tls/tls.crt"
  "LOOKOUT_TLS_CLIENT_KEY_FILE" "/etc/lookout/tls/tls.key"
  | toJson -}}
{{- end -}}

{{- define "lookout.alertmanagerValues" -}}
{{- $am := .Values.alertmanager -}}
{{- dict
  "LOOKOUT_SMTP_SMARTHOST" $am.smtp.smarthost
  "LOOKOUT_SMTP_FROM" $am.smtp.from
  "LOOKOUT_SMTP_USERNAME" $am.smtp.username
  "LOOKOUT_SMTP_PASSWORD_FILE" (include "lookout.credentialFile" (dict "root" . "key" "smtpPassword"))
  "LOOKOUT_ALERT_TEMPLATES_DIR" "/etc/alertmanager/templates"
  "LOOKOUT_ALERT_EMAIL_TO" $am.emailTo
  "LOOKOUT_ALERT_WEBHOOK_URL" (printf "http://%s:8080/api/v1/alerts/webhook" (include "lookout.host" (dict "root" . "component" "aggregator")))
  "LOOKOUT_ADMIN_TOKEN_FILE" (include "lookout.credentialFile" (dict "root" . "key" "adminToken"))
  "LOOKOUT_CHAT_WEBHOOK_URL_FILE" (include "lookout.credentialFile" (dict "root" . "key" "chatWebhookUrl"))
  "LOOKOUT_SENTINEL_URL" $am.sentinel.url
  "LOOKOUT_SENTINEL_TOKEN_FILE" (include "lookout.credentialFile" (dict "root" . "key" "sentinelToken"))
  "LOOKOUT_SENTINEL_INTERVAL" $am.sentinel.interval
  "LOOKOUT_SENTINEL_GROUP_INTERVAL" $am.sentinel.groupInterval
  | toJson -}}
{{- end -}}

{{/* The credentials Secret as files: only the keys a component reads (.keys: names in credentials.keys). */}}
{{- define "lookout.credentialsVolume" -}}
- name: credentials
  secret:
    secretName: {{ .root.Values.credentials.existingSecret }}
    defaultMode: 0440
    items:
      {{- range .keys }}
      {{- $key := index $.root.Values.credentials.keys . }}
      - { key: {{ $key }}, path: {{ $key }} }
      {{- end }}
{{- end -}}
