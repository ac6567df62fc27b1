export type { CallFailure, CallResult, FailureClass, Hop } from './types.ts';
export {
  CallerAbortedError,
  DeadlineExceededError,
  GenprobeClientError,
  InvalidArgumentError,
  InvalidTargetUrlError,
  classifyFailure,
  describeNetworkError,
  quoteBody,
} from './errors.ts';
export { DEFAULT_TARGET_TEMPLATE, joinPath, redactUrl, resolveTargetUrl, type TargetVars } from './url.ts';
export { ADDRESS_CLASSES, classifyAddress, type AddressClass } from './address-class.ts';
export { MIN_SECRET_FRAGMENT, REDACTED, redactSecrets, redactThenTruncate } from './redact.ts';
export {
  DEFAULT_MAX_BODY_BYTES,
  MAX_CONTENT_ENCODINGS,
  DEFAULT_USER_AGENT,
  MAX_HOPS,
  ModalClient,
  type CallRequest,
  type ModalAuth,
  type ModalClientOptions,
} from './modal-client.ts';
