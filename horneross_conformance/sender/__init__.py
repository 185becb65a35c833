"""The sender role: the vendor's dispatcher as a target, capture servers, the frozen clock, the suite, the reference."""
