"""A character-level GPT trained on Shakespeare, on glassgrad -- or, with ``--torch``, on PyTorch.

A small decoder-only transformer in nanoGPT's reading order: the config, then attention -> MLP -> block
-> model, tensor shapes in the comments. It learns to continue the eight plays shipped with glassgrad
(``glassgrad.data.shakespeare()``, one character at a time) and prints a sample of its own at the end.

This is an ordinary PyTorch script: only the imports right below differ between the two libraries
(``import glassgrad as torch`` binds the name ``torch`` to glassgrad).

    python examples/char_gpt.py                           # glassgrad, the defaults
    python examples/char_gpt.py --torch                   # the same script on PyTorch
    python examples/char_gpt.py --record runs/gpt         # then: python -m glassgrad plot runs/gpt
    python examples/char_gpt.py --checkpoint ckpt/gpt     # stop it any time; run it again to resume
    python examples/char_gpt.py --max-iters 200 --n-layer 2 --n-embd 64   # a quick try
"""
import argparse
import contextlib
import math
import os
import sys
import time
from dataclasses import asdict, dataclass

# ---- the only lines that differ between glassgrad and PyTorch -----------------------------------
if "--torch" in sys.argv[1:]:
    import torch
    from torch import nn
    from torch.nn import functional as F
    torch.set_num_threads(os.cpu_count())  # as many threads as NumPy's BLAS, which glassgrad runs on
else:
    import glassgrad as torch
    from glassgrad import nn
    from glassgrad.nn import functional as F
# --------------------------------------------------------------------------------------------------

from glassgrad.data import char_splits, shakespeare  # both libraries read the text through glassgrad


@dataclass
class GPTConfig:
    block_size: int = 64      # how many characters the model sees at once (its context)
    vocab_size: int = 76      # the distinct characters of the corpus
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0


class CausalSelfAttention(nn.Module):
    """Every position looks at itself and the positions before it, through ``n_head`` heads at once."""

    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)  # query, key, value in one matmul
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head, self.n_embd, self.dropout = config.n_head, config.n_embd, config.dropout

    def forward(self, x):
        B, T, C = x.size()  # batch, time (sequence length), channels (n_embd)
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)                   # each (B, T, C)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)      # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)      # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)      # (B, nh, T, hs)
        # softmax(q k^T / sqrt(hs)) v over the past only (is_causal masks the future), in one fused op
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0,
                                           is_causal=True)                   # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)                     # heads side by side: (B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    """The per-position feed-forward network: widen 4x, GELU, project back."""

    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):                                          # (B, T, C)
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))  # (B, T, 4C) inside, (B, T, C) out


class Block(nn.Module):
    """Pre-norm transformer block: x + attention(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x):                 # (B, T, C) in and out
        x = x + self.attn(self.ln_1(x))   # positions talk to each other
        x = x + self.mlp(self.ln_2(x))    # each position thinks on its own
        return x


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),   # token embedding
            wpe=nn.Embedding(config.block_size, config.n_embd),   # position embedding
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying: one matrix reads and writes tokens
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2's smaller start for the residual projections
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):                                   # idx: (B, T) character ids
        B, T = idx.size()
        assert T <= self.config.block_size, f"sequence of {T} is longer than block_size"
        pos = torch.arange(0, T, dtype=torch.long)            # (T,)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))  # (B, T, C)
        for block in self.transformer.h:
            x = block(x)                                      # (B, T, C)
        return self.lm_head(self.transformer.ln_f(x))         # (B, T, vocab_size) logits

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        """Continue each row of ``idx`` (B, T) by ``max_new_tokens`` characters, one at a time."""
        for _ in range(max_new_tokens):
            idx_cond = idx[:, -self.config.block_size:]                  # at most block_size of context
            logits = self(idx_cond)[:, -1, :] / temperature              # (B, vocab_size) next character
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits = logits.masked_fill(logits < v[:, [-1]], float("-inf"))
            # Sample from softmax(logits) with the Gumbel-max trick: argmax(logits + Gumbel noise) is
            # distributed as torch.multinomial(F.softmax(logits, -1), 1), which glassgrad lacks.
            gumbel = -torch.log(-torch.log(torch.rand_like(logits)))
            idx_next = (logits + gumbel).argmax(dim=-1, keepdim=True)    # (B, 1)
            idx = torch.cat((idx, idx_next), dim=1)                      # (B, T + 1)
        return idx


def lm_loss(logits, targets):
    """Cross-entropy of every position's next-character prediction: (B, T, V) and (B, T) -> scalar."""
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train a character-level GPT on Shakespeare "
                                            "(glassgrad or PyTorch).")
    p.add_argument("--torch", action="store_true", help="run on PyTorch instead of glassgrad")
    p.add_argument("--max-iters", type=int, default=2000, help="optimizer steps")
    p.add_argument("--n-layer", type=int, default=GPTConfig.n_layer)
    p.add_argument("--n-head", type=int, default=GPTConfig.n_head)
    p.add_argument("--n-embd", type=int, default=GPTConfig.n_embd)
    p.add_argument("--block-size", type=int, default=GPTConfig.block_size)
    p.add_argument("--dropout", type=float, default=GPTConfig.dropout)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3, help="peak learning rate of AdamW")
    p.add_argument("--min-lr", type=float, default=2e-4, help="where the cosine decay ends")
    p.add_argument("--warmup-iters", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--eval-interval", type=int, default=250, help="estimate the losses every N steps")
    p.add_argument("--eval-iters", type=int, default=20, help="batches per loss estimate")
    p.add_argument("--sample-chars", type=int, default=500, help="length of the sample printed at the end")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--record", metavar="RUN_DIR", help="record the run with glassgrad.trace into RUN_DIR")
    p.add_argument("--checkpoint", metavar="DIR", help="save at every evaluation into DIR; resume from it")
    args = p.parse_args(argv)
    if args.record and args.torch:
        p.error("--record records with glassgrad.trace: drop --torch")
    return args


def learning_rate(it, args):
    """nanoGPT's schedule, a pure function of the step: linear warm-up, then cosine decay to min_lr."""
    if it < args.warmup_iters:
        return args.lr * (it + 1) / (args.warmup_iters + 1)
    progress = min(1.0, (it - args.warmup_iters) / max(1, args.max_iters - args.warmup_iters))
    return args.min_lr + 0.5 * (1.0 + math.cos(math.pi * progress)) * (args.lr - args.min_lr)


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    train_text, val_text = char_splits(shakespeare(), args.block_size)   # first 90% / last 10% of the text
    vocab = train_text.vocab
    data = {"train": torch.from_numpy(train_text.ids), "val": torch.from_numpy(val_text.ids)}  # (N,) int64

    def get_batch(split):
        """``batch_size`` random windows of the text, and the same windows one character later."""
        ids = data[split]
        start = torch.randint(len(ids) - args.block_size, (args.batch_size,))   # (B,)
        offsets = torch.arange(args.block_size)                                  # (T,)
        x = ids[start[:, None] + offsets]                                        # (B, T)
        y = ids[start[:, None] + offsets + 1]                                    # (B, T)
        return x, y

    @torch.no_grad()
    def estimate_loss():
        model.eval()
        losses = {}
        for split in ("train", "val"):
            total = 0.0
            for _ in range(args.eval_iters):
                x, y = get_batch(split)
                total += lm_loss(model(x), y).item()
            losses[split] = total / args.eval_iters
        model.train()
        return losses

    config = GPTConfig(block_size=args.block_size, vocab_size=len(vocab), n_layer=args.n_layer,
                       n_head=args.n_head, n_embd=args.n_embd, dropout=args.dropout)
    model = GPT(config)
    # Weight decay on the matrices (and the embeddings), not on biases and norm scales, as nanoGPT.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.99))
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{torch.__name__}: {parameters:,} parameters, "
          f"{len(data['train']):,} training characters, {args.max_iters:,} steps of "
          f"{args.batch_size} x {args.block_size} characters")

    it, path = 0, None
    if args.checkpoint:
        os.makedirs(args.checkpoint, exist_ok=True)
        path = os.path.join(args.checkpoint, f"{torch.__name__}.ckpt")  # torch pickles, glassgrad doesn't
        if os.path.exists(path):
            saved = torch.load(path)
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            it = saved["iter"]
            print(f"resumed from {path} at step {it}")
    recording = contextlib.nullcontext()
    if args.record:  # a glassgrad.trace.Recorder: it records each optimizer.step() through its hooks
        from glassgrad.trace import Recorder
        torch.manual_seed(args.seed)
        probe = tuple(t[:8] for t in get_batch("val"))  # 8 fixed validation windows, watched at snapshots
        recording = Recorder(model, args.record, optimizer=optimizer, probe=probe, loss_fn=lm_loss,
                             total_steps=args.max_iters - it, config={**vars(args), **asdict(config)},
                             dataset={"name": "shakespeare", "train_samples": len(data["train"])})

    started, history = time.perf_counter(), []
    with recording as recorder:
        while True:
            if it % args.eval_interval == 0 or it == args.max_iters:
                torch.manual_seed(args.seed + it)  # a resumed run draws the same batches from here on
                losses = estimate_loss()
                history.append({"step": it, "train_loss": losses["train"], "val_loss": losses["val"]})
                print(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}  "
                      f"({(time.perf_counter() - started) / 60:.1f} min)", flush=True)
                if recorder is not None:
                    recorder.log_epoch(it // args.eval_interval, loss=losses["train"], val_loss=losses["val"])
                if path and it > 0:
                    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                                "iter": it, "config": asdict(config)}, path)
            if it == args.max_iters:
                break
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(it, args)
            x, y = get_batch("train")
            optimizer.zero_grad()
            loss = lm_loss(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            it += 1
    minutes = (time.perf_counter() - started) / 60

    torch.manual_seed(args.seed)
    model.eval()
    prompt = torch.from_numpy(vocab.encode("\n")).view(1, 1)              # (1, 1): start a new line
    sample = vocab.decode(model.generate(prompt, args.sample_chars, temperature=0.8)[0].tolist())
    print(f"---- a sample ----\n{sample}\n------------------")
    print(f"done: val loss {losses['val']:.4f}, train loss {losses['train']:.4f}, {minutes:.2f} min "
          f"({torch.__name__})")
    return {"val_loss": losses["val"], "train_loss": losses["train"], "minutes": minutes, "sample": sample,
            "parameters": parameters, "history": history}


if __name__ == "__main__":
    main()
