"""Marks the viewer page script folder as package data, so installed copies carry danmaku.js."""
