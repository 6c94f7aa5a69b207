"""The bulletin as a printable document: what the .docx, the PDF and the preview are made from.

Plain data, no ORM: ``kaohe.bulletins.render.document_of`` builds it from a bulletin, the builders
(``docx``, ``pdf``, the preview template) only lay it out, and the benchmark builds one of any size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    HEADING1 = "heading1"  # 一、  黑体
    HEADING2 = "heading2"  # （一） 楷体
    HEADING3 = "heading3"  # 1.   仿宋加粗
    PARAGRAPH = "paragraph"  # 仿宋, first line indented two characters


@dataclass(frozen=True)
class Block:
    kind: Kind
    text: str


@dataclass(frozen=True)
class Document:
    header_org: str  # 红头: "焦作大学目标管理与绩效考核领导小组"
    header_title: str  # "工作通报"
    number: str  # "〔2021〕第2期"
    title: str  # "重点工作目标完成情况通报"
    subtitle: str  # "——2021年第三季度各部门重点工作完成情况督查通报"
    blocks: list[Block] = field(default_factory=list)
    signature: str = ""  # "焦作大学目标管理与绩效考核领导小组办公室"
    date_text: str = ""  # "2021年10月19日"
    draft: bool = False  # a draft's preview and files say so

    def text(self) -> str:
        """Everything a reader sees, in order, one line per block (for tests and searching)."""
        lines = [f"{self.header_org}{self.header_title}", self.number, self.title, self.subtitle]
        lines += [b.text for b in self.blocks]
        lines += [self.signature, self.date_text]
        return "\n".join(line for line in lines if line)


# The office writes a section as plain text, one paragraph per line. Two kinds of line are headings:
# "（一）…" (always), and "1. …" / "1．…" / "1、…" when short and without a full stop, as the seed's
# "1. “改教师”——创建“双师型”品牌" or "1.机电工程学院"; "1.人事管理系统项目，已完成……。" stays a paragraph.
HEADING2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
HEADING3 = re.compile(r"^\d{1,2}\s*[.．、]")
HEADING3_MAX_CHARS = 40


def lines(text: str) -> list[str]:
    """A section's paragraphs: any line ending, spaces at the ends trimmed, blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def blocks(text: str) -> list[Block]:
    """A section's text as blocks, one per line (see ``lines``)."""
    found = []
    for line in lines(text):
        if HEADING2.match(line):
            found.append(Block(Kind.HEADING2, line))
        elif HEADING3.match(line) and "。" not in line and len(line) <= HEADING3_MAX_CHARS:
            found.append(Block(Kind.HEADING3, line))
        else:
            found.append(Block(Kind.PARAGRAPH, line))
    return found


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (headings, counts below a hundred)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")
