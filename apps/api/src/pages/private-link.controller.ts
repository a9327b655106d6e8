// The private link of a render, `/v/<token>`: the parents' page, which opens that render (playing
// or still rendering, download, delete, expiry). The token is the render's id: 128 random bits
// from the CSPRNG (libs/storage ids.ts), the same secret the render's API URLs already carry, so
// the link grants nothing the page did not already hold. A deleted, purged, expired or unknown
// render answers 404 (the page still comes with it, to say so in plain words). Never lists renders
// and never says whether a token existed.
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { RenderService } from '@talecast/render';
import { isRandomId } from '@talecast/storage';
import { webDistDir } from './web-dist';

const GONE = ['deleted', 'purged', 'expired'];

@ApiExcludeController()
@Controller('v')
export class PrivateLinkController {
  constructor(private readonly renders: RenderService) {}

  @Get(':token')
  async page(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const alive = await this.isAlive(token);
    res.status(alive ? 200 : 404);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex');
    const index = path.join(webDistDir(), 'index.html');
    if (!existsSync(index)) {
      res.json(alive ? { id: token, page: 'the web pages are not built (npm run build)' } : { error: { code: 'NOT_FOUND', message: 'not found' } });
      return;
    }
    res.type('html').sendFile(index, { dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ error: { code: 'NOT_FOUND', message: 'not found' } });
    });
  }

  private async isAlive(token: string): Promise<boolean> {
    if (!isRandomId(token)) return false;
    try {
      const render = await this.renders.find(token);
      if (GONE.includes(render.status)) return false;
      return !render.expiresAt || render.expiresAt.getTime() > Date.now();
    } catch {
      return false;
    }
  }
}
