export { wrapNodeHandler, type NodeHandler, type NodeRequestContext } from './node.js';
export { expressIdempotency, type ExpressLikeRequest, type ExpressMiddleware, type ExpressNext } from './express.js';
export { fastifyIdempotency, type FastifyIdempotencyPlugin, type FastifyLikeInstance, type FastifyLikeReply, type FastifyLikeRequest } from './fastify.js';
export { captureResponse, writeEnvelope, type ResponseCapture } from './capture-response.js';
export { CapturingServerResponse, writeCaptured } from './capture-response.js';
