/** The command line: {@code serve}, {@code token} and {@code migrate}. */
package com.speechbot.server.cli;
