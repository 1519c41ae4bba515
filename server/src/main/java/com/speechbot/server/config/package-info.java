/** The immutable server configuration: defaults from {@code config/speechbot.yaml}, then a file, then the environment. */
package com.speechbot.server.config;
