{{/*
Expand the name of the chart.
*/}}
{{- define "todo-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name prefix of every resource. Unlike `helm create`, it is the release
name itself, so that release `todo` gives `todo-backend`
(`todo-backend.todo-app.svc.cluster.local`), which the rest of helm-todo
relies on.
*/}}
{{- define "todo-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
Chart name and version as used by the chart label.
*/}}
{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The namespace of every resource.
*/}}
{{- define "todo-app.namespace" -}}
{{- default .Release.Namespace .Values.global.namespace }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "todo-app.labels" -}}
helm.sh/chart: {{ include "todo-app.chart" . }}
{{ include "todo-app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-app
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "todo-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels and selector labels of one component. Call with
(dict "ctx" $ "component" "backend").
*/}}
{{- define "todo-app.componentLabels" -}}
{{ include "todo-app.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "todo-app.componentSelectorLabels" -}}
{{ include "todo-app.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
An image reference from an image block. The tag defaults to the chart's
appVersion so that a new chart release rolls the pods.
Call with (dict "image" .Values.backend.image "ctx" $).
*/}}
{{- define "todo-app.image" -}}
{{- printf "%s:%s" .image.repository (.image.tag | default .ctx.Chart.AppVersion | toString) }}
{{- end }}

{{/*
The Secret every secret reference points at: the existing one when given,
otherwise the one the chart makes as a hook.
*/}}
{{- define "todo-app.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-chart-secrets" (include "todo-app.fullname" .) }}
{{- end }}
{{- end }}

{{- define "todo-app.configMapName" -}}
{{- printf "%s-config" (include "todo-app.fullname" .) }}
{{- end }}

{{- define "todo-app.postgresHost" -}}
{{- printf "%s-postgres" (include "todo-app.fullname" .) }}
{{- end }}

{{/*
DATABASE_URL and what it needs. With the in-cluster database it is composed
from POSTGRES_PASSWORD: Kubernetes expands $(POSTGRES_PASSWORD) because that
variable is defined earlier in the same list.
*/}}
{{- define "todo-app.databaseEnv" -}}
{{- if .Values.database.external }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.secretName" . }}
      key: DATABASE_URL
{{- else }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.secretName" . }}
      key: POSTGRES_PASSWORD
- name: DATABASE_URL
  value: {{ printf "%s://%s:$(POSTGRES_PASSWORD)@%s:%d/%s" .Values.database.urlScheme .Values.database.user (include "todo-app.postgresHost" .) (int .Values.database.port) .Values.database.name | quote }}
{{- end }}
{{- end }}

{{/*
Optional secret keys as env vars: a key missing from an existingSecret does
not stop the pod. Call with (dict "ctx" $ "keys" (list ...)).
*/}}
{{- define "todo-app.optionalSecretEnv" -}}
{{- range .keys }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-app.secretName" $.ctx }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end }}

{{/*
An HTTP probe from a probe block. Call with (dict "probe" ... "port" "http").
*/}}
{{- define "todo-app.httpProbe" -}}
{{- if .probe.path }}
httpGet:
  path: {{ .probe.path }}
  port: {{ .port }}
{{- else }}
tcpSocket:
  port: {{ .port }}
{{- end }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
periodSeconds: {{ .probe.periodSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{/*
NetworkPolicy egress rules shared by the components. DNS: port 53 to
networkPolicy.dnsTo, any address when empty (kube-dns pods, NodeLocal
DNSCache and a DNS server on the node are each somewhere else).
*/}}
{{- define "todo-app.dnsEgress" -}}
- ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
  {{- with .Values.networkPolicy.dnsTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{/*
The database: the chart's PostgreSQL pods, or the external one on its port
at networkPolicy.externalDatabase.to (any address when empty).
*/}}
{{- define "todo-app.databaseEgress" -}}
{{- if .Values.database.external -}}
- ports:
    - protocol: TCP
      port: {{ .Values.networkPolicy.externalDatabase.port }}
  {{- with .Values.networkPolicy.externalDatabase.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- else -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "todo-app.componentSelectorLabels" (dict "ctx" . "component" "database") | nindent 10 }}
  ports:
    - protocol: TCP
      port: {{ .Values.database.port }}
{{- end }}
{{- end }}
