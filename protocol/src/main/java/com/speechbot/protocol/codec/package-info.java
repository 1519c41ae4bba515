/** The one JSON codec every module uses, so field names and timestamp formats never drift apart. */
package com.speechbot.protocol.codec;
