{{/*
Shared pieces of the meshwatch templates. Names follow `helm create`'s conventions.
*/}}

{{- define "meshwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "meshwatch.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "meshwatch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "meshwatch.labels" -}}
helm.sh/chart: {{ include "meshwatch.chart" . }}
app.kubernetes.io/name: {{ include "meshwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "web"). */}}
{{- define "meshwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshwatch.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "meshwatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "meshwatch.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "meshwatch.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "meshwatch.secretName" -}}
{{- default (include "meshwatch.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/*
An environment value as the process reads it. Helm parses numbers in values as floats, so a
whole number is printed as an integer (20000, not 2e+04); everything else as written.
*/}}
{{- define "meshwatch.envValue" -}}
{{- if kindIs "float64" . -}}
{{- if eq . (floor .) -}}{{ int64 . }}{{- else -}}{{ . }}{{- end -}}
{{- else -}}
{{- . -}}
{{- end -}}
{{- end -}}

{{/*
One ConfigMap entry, left out when empty so the process sees the variable unset (an empty
duration would be an error, not the default). Call with (dict "name" "X" "value" $value).
*/}}
{{- define "meshwatch.envEntry" -}}
{{- if ne (toString .value) "" -}}
{{ .name }}: {{ include "meshwatch.envValue" .value | quote }}
{{- end -}}
{{- end -}}

{{/* What every container reads: the ConfigMap and the Secret, as environment variables. */}}
{{- define "meshwatch.envFrom" -}}
- configMapRef:
    name: {{ include "meshwatch.fullname" . }}
- secretRef:
    name: {{ include "meshwatch.secretName" . }}
{{- end -}}

{{/* Pod annotations that roll the pods when their configuration changes. */}}
{{- define "meshwatch.configChecksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secrets: {{ toYaml .Values.secrets | sha256sum }}
{{- end -}}

{{- define "meshwatch.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{- define "meshwatch.containerSecurityContext" -}}
{{- toYaml .Values.securityContext -}}
{{- end -}}

{{/* /tmp: the one writable place of a read-only root filesystem (Celery beat's schedule). */}}
{{- define "meshwatch.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{- define "meshwatch.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* An init container that waits until the migration Job has brought the schema up to date. */}}
{{- define "meshwatch.waitForMigrations" -}}
{{- if .Values.migrations.enabled }}
initContainers:
  - name: wait-for-migrations
    image: {{ include "meshwatch.image" . }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    args: ["wait-for-migrations"]
    envFrom:
      {{- include "meshwatch.envFrom" . | nindent 6 }}
    securityContext:
      {{- include "meshwatch.containerSecurityContext" . | nindent 6 }}
    volumeMounts:
      {{- include "meshwatch.tmpMount" . | nindent 6 }}
    resources:
      {{- toYaml .Values.migrations.resources | nindent 6 }}
{{- end }}
{{- end -}}
