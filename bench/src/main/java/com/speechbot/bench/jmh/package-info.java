/** JMH benchmarks of the hub: chunk fan-out (in memory and over loopback sockets), typing, read receipts. */
package com.speechbot.bench.jmh;
