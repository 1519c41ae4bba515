/** Bearer-token authentication: verifying and minting JWTs, and keeping the server's HMAC secret in the data folder. */
package com.speechbot.server.auth;
