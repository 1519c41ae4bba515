/**
 * Per-chat hubs: each chat's events are ordered on one event loop without locks, stored before they are broadcast,
 * encoded once and handed to the subscribers of every event loop in one task per loop.
 */
package com.speechbot.server.hub;
