package io.discoursetrends.classify;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Words that say nothing about what a post is about, left out of its terms (they still match phrases:
 * "the Pile" needs "the"). English, German, French, Spanish, Portuguese, Italian and Dutch function words,
 * the fragments tokenization leaves of contractions ("don't" -> don, t), web fragments that survive outside
 * URLs ("example.com" -> example, com), and common Chinese and Japanese particles. Stored folded, as
 * tokens are. One-letter tokens need no entry: they are never terms.
 */
final class StopWords {
    private StopWords() {}

    private static final String[] LISTS = {
        // English
        "about above after again against all also am an and any are aren as at be because been before being"
                + " below between both but by can cannot could couldn did didn do does doesn doing don down during"
                + " each few for from further get gets got had hadn has hasn have haven having he her here hers"
                + " herself him himself his how however if in into is isn it its itself just let ll me might more"
                + " most much must mustn my myself no nor not now of off on once one only or other ought our ours"
                + " ourselves out over own really same shan she should shouldn so some still such than that the"
                + " their theirs them themselves then there these they this those through to too under until up"
                + " us ve very via was wasn we were weren what when where which while who whom whose why will with"
                + " won would wouldn yes yet you your yours yourself yourselves re im ive id youre thats dont"
                + " cant isnt didnt doesnt wont lol tbh imo imho btw etc like even way well back many new",
        // German
        "aber alle als also am an auch auf aus bei bin bis bist da dann das dass dem den der des die doch du"
                + " durch ein eine einem einen einer es fur hat hatte ich ihr im in ist ja kann mein mit nach nicht"
                + " noch nur ob oder sehr sein sich sie sind so uber um und uns vom von vor war was wenn wer wie"
                + " wir wird zu zum zur",
        // French
        "au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur lui mais me mes moi"
                + " mon ne nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos"
                + " votre vous ete etre",
        // Spanish and Portuguese
        "al como con da das de del do dos el ella ellos em en entre era es esta este eu la las lo los mas mi"
                + " muy na nao no nos o os para pero por que se ser seu si sin sobre su sus tambem tambien te tu"
                + " um uma un una uno y ya",
        // Italian and Dutch
        "che chi con dei della delle di gli il in io la le lo ma mi nel non per piu se si sono su un una"
                + " aan als bij dat de den der deze die dit door een en er het hij ik in is je maar met na niet"
                + " nog om ook op te tot uit van voor wat we wel zijn",
        // Web fragments
        "http https www com org net html htm php amp utm ref href",
    };

    /** Chinese and Japanese particles and function characters (each a token of its own). */
    private static final String CJK = "的了是在我有和也就都不这那你他她它们个之与及而或の"
            + "はがをにでともへやかなねよだすする";

    static final TokenTable TABLE = build();

    private static TokenTable build() {
        Set<String> words = new LinkedHashSet<>();
        for (String list : LISTS) {
            for (String w : list.split(" ")) {
                if (!w.isEmpty()) {
                    words.addAll(TextNormalizer.tokens(w));
                }
            }
        }
        CJK.codePoints().forEach(cp -> words.add(TextNormalizer.fold(new String(Character.toChars(cp)))));
        return new TokenTable(words);
    }
}
