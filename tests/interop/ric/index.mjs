// Trivial Node.js handler run by aws-lambda-ric (see ./bootstrap): the same contract as
// ../curl_echo_bootstrap.sh and functions/faulty — {"action":"error"} throws, anything else is
// returned unchanged (ric serialises it with JSON.stringify, so compact JSON round-trips
// byte for byte).
class InteropError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InteropError';
  }
}

export const handler = async (event) => {
  if (event !== null && typeof event === 'object' && event.action === 'error') {
    throw new InteropError('requested error');
  }
  return event;
};
