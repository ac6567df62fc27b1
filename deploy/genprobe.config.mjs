// genprobe config for the deployment examples (compose.yaml mounts it, k8s/configmap.yaml carries
// the same text). Runner identity comes from --runner/--region per runner; the coordination URL
// from $GENPROBE_COORDINATION_URL (a Secret), never from this file.
export default {
  target: { url: process.env.GENPROBE_TARGET ?? 'https://{workspace}--{app}.modal.run', workspace: process.env.MODAL_WORKSPACE ?? 'ryla' },
  server: { host: '0.0.0.0', port: 9464, allowedHosts: ['*'], auth: { bearerTokenEnv: 'GENPROBE_METRICS_TOKEN' } },
  coordination: { databaseUrlEnv: 'GENPROBE_COORDINATION_URL' },
  probes: {
    budget: { dailyUsd: 5, monthlyUsd: 100 },
    schedules: [
      { match: '*', cron: '*/15 * * * *', kind: 'health' },
      { match: 'tag:cheap', cron: '0 * * * *', kind: 'smoke' },
    ],
  },
};
