/**
 * Routes the fleet's own TS client and docs still name but no handler defines, so the app that would
 * serve them answers 404 Not Found (libs/business/src/services/modal-client.ts, modal-job-runner.ts).
 */
export const PHANTOM_ROUTES = ['/sdxl-turbo', '/sdxl-lightning', '/qwen-faceswap', '/qwen-faceswap-fast', '/qwen-character-scene'];
