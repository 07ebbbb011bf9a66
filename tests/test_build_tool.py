"""The strict build's traceback scan ignores only ipykernel's logged ZMQ shutdown error."""

from tools.build import _without_kernel_noise

KERNEL_NOISE = (
    "ERROR:tornado.general:Uncaught exception in ZMQStream callback\n"
    "Traceback (most recent call last):\n"
    '  File "zmqstream.py", line 585, in _log_error\n'
    "    f.result()\n"
    "zmq.error.ZMQError: Socket operation on non-socket\n"
)
CELL_ERROR = 'Traceback (most recent call last):\n  File "<cell>", line 1\nValueError: boom\n'


def test_kernel_shutdown_noise_is_ignored():
    assert "Traceback" not in _without_kernel_noise("before\n" + KERNEL_NOISE + "after\n")


def test_a_real_traceback_still_fails_the_build():
    assert "Traceback" in _without_kernel_noise(CELL_ERROR)
    assert "Traceback" in _without_kernel_noise(KERNEL_NOISE + CELL_ERROR)
