/** REST: the router, the request context handlers see, and one resource class per API area. */
package com.speechbot.server.http;
