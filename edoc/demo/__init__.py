"""The Đồng Nai demo data of `seed_demo` (moved here from the command; split next)."""
