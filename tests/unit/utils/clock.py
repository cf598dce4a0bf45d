"""A fake clock whose sleep() advances time at once and records every delay: waits take no real time."""


class FakeClock:
    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, "asked to sleep a negative time: %r" % seconds
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def slept(self):
        return sum(self.sleeps)
