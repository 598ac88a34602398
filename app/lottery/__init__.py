"""Keyword lotteries (口令抽奖) whose draw anyone can check: entries, the draw, result files."""
