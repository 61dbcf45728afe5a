from tests.matching.test_check import b_calls_a, held  # noqa: F401 - shared fixtures
