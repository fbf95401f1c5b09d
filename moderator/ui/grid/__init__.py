"""The participant grid: the tiles, their model and delegate, and what a click on them does."""
