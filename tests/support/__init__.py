"""What the tests and the benchmark share: the app served by a real server beside them."""
