from . import test_chat_to_ticket
