-- One bot answer per user message, durably: a retried send can never trigger a second answer.
CREATE UNIQUE INDEX messages_bot_answer_uq ON messages (chat_id, reply_to) WHERE role = 'bot' AND reply_to IS NOT NULL;
