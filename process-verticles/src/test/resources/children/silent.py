"""Never connects: the handshake must time out."""
import time
time.sleep(60)
