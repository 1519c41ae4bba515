/** The Netty pipeline: one named handler per concern, HTTP decoding, routing and error responses for codec failures. */
package com.speechbot.server.pipeline;
