package com.speechbot.bench.load;

import java.util.List;

/** One chat of the run: its id on the target and its members' user ids (member 0 created it). */
record ChatPlan(int index, String chatId, List<String> userIds) {

    int members() {
        return userIds.size();
    }
}
